package io.vectory.ingest;

/** Endpoints of the shared dev stack (the test command starts it); ITs fail loudly when it is absent. */
final class Stack {
  private Stack() {}

  static String bootstrap() {
    return env("VECTORY_BOOTSTRAP_SERVERS", "127.0.0.1:9092");
  }

  static String registry() {
    return env("VECTORY_SCHEMA_REGISTRY", "http://127.0.0.1:8081/apis/ccompat/v7");
  }

  private static String env(String name, String def) {
    String v = System.getenv(name);
    return v == null || v.isBlank() ? def : v;
  }
}
