package io.mailflow.cli;

/** Role - a stage a mailflow process can run; `run` runs them all. */
enum Role {
  EDGE, CATEGORIZER, ROUTING, DELIVERY
}
