package io.mailflow.admin;

/**
 * ReadinessCheck - one condition {@code GET /health/ready} asks about (broker reachable, a stage's consumers in
 * their group, the edge's listeners bound). {@link #check()} may block briefly (the admin server calls it on a
 * worker thread, never on an event loop) and must answer within a few seconds.
 */
public interface ReadinessCheck {
  /** The check's name in the JSON body, e.g. {@code broker}, {@code delivery}, {@code edge}. */
  String name();

  /** The answer now. */
  Result check();

  /**
   * A check's answer: ready, or not and why; {@code degraded}: ready, but not all of it (e.g. back pressure at
   * Medium: the edge takes mail from the organization only). {@code GET /health/ready} is then still 200, its
   * status {@code degraded}.
   */
  record Result(boolean ready, String detail, boolean degraded) {
    public Result(boolean ready, String detail) {
      this(ready, detail, false);
    }

    public static Result ok(String detail) {
      return new Result(true, detail);
    }

    public static Result failed(String why) {
      return new Result(false, why);
    }

    public static Result degraded(String why) {
      return new Result(true, why, true);
    }
  }

  /** A check from a name and a function (what Node builds for each stage). */
  static ReadinessCheck of(String name, java.util.function.Supplier<Result> check) {
    return new ReadinessCheck() {
      @Override
      public String name() {
        return name;
      }

      @Override
      public Result check() {
        return check.get();
      }
    };
  }
}
