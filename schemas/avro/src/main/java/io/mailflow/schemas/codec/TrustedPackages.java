package io.mailflow.schemas.codec;

import org.apache.avro.util.ClassSecurityValidator;

/**
 * TrustedPackages - lets Avro instantiate our generated classes.
 *
 * <p>Avro 1.12 refuses to create classes outside a trusted list when decoding into specific records
 * (a guard against gadget classes named in schemas). Only our own schema package is added.
 */
final class TrustedPackages {
  static final String PACKAGE = "io.mailflow.schemas.avro";
  private static volatile boolean installed;

  private TrustedPackages() {}

  static synchronized void install() {
    if (installed) {
      return;
    }
    ClassSecurityValidator.setGlobal(
        ClassSecurityValidator.composite(
            ClassSecurityValidator.getGlobal(),
            type -> type.getName().startsWith(PACKAGE + ".")));
    installed = true;
  }
}
