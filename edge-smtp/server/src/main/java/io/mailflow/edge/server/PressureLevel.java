package io.mailflow.edge.server;

/**
 * PressureLevel - Exchange's levels of use of one back-pressure resource. Low (Exchange also says Normal): new
 * mail is accepted. Medium: only sessions that authenticated or come from one of the organization's servers may
 * submit. High: no session may.
 */
public enum PressureLevel {
  Low, Medium, High
}
