package io.github.sidecarshutdown.examples.spring;

/** Environment lookups and the marker lines the test kit reads. */
final class Env {

    private Env() {
    }

    static String get(String name, String fallback) {
        String v = System.getenv(name);
        return v == null || v.isBlank() ? fallback : v;
    }

    /** One {@code APP_EVENT} line, flushed at once: the reader may be timing it. */
    static void event(String what) {
        System.out.println("APP_EVENT " + what);
        System.out.flush();
    }
}
