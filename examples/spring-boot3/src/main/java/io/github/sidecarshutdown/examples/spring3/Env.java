package io.github.sidecarshutdown.examples.spring3;

/** Environment lookups and the marker lines the test kit reads. */
final class Env {

    private Env() {
    }

    static String get(String name, String fallback) {
        String v = System.getenv(name);
        return v == null || v.isBlank() ? fallback : v;
    }

    /** A duration variable in the library's forms ({@code 500ms}, {@code 5s}, {@code PT5S}). */
    static java.time.Duration duration(String name, String fallback) {
        return io.github.sidecarshutdown.config.SettingParser.duration(
                io.github.sidecarshutdown.config.Setting.TASK_TIMEOUT, name, get(name, fallback));
    }

    /** One {@code APP_EVENT} line, flushed at once: the reader may be timing it. */
    static void event(String what) {
        System.out.println("APP_EVENT " + what);
        System.out.flush();
    }
}
