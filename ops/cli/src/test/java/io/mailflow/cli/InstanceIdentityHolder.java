package io.mailflow.cli;

/** Holds the instance id of the data dir {@code args[0]} in a JVM of its own, for {@link InstanceIdentityTest}. */
public final class InstanceIdentityHolder {
  private InstanceIdentityHolder() {}

  public static void main(String[] args) throws Exception {
    InstanceIdentity identity = InstanceIdentity.acquire(java.nio.file.Path.of(args[0]));
    System.out.println((identity.isStatic() ? "static " : "fresh ") + identity.id());
    System.out.flush();
    Thread.sleep(Long.MAX_VALUE);
  }
}
