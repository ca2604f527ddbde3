package io.github.sidecarshutdown.testkit.emulator;

/** {@code major.minor} of an Istio version string, enough to pick per-version agent behaviour. */
record IstioVersion(int major, int minor) {

    static IstioVersion parse(String version) {
        String[] parts = version.split("[.-]");
        try {
            return new IstioVersion(Integer.parseInt(parts[0]), parts.length > 1 ? Integer.parseInt(parts[1]) : 0);
        } catch (NumberFormatException | ArrayIndexOutOfBoundsException e) {
            throw new IllegalArgumentException("istioVersion: " + version + " (expected: like 1.26.2)");
        }
    }

    boolean atLeast(int major, int minor) {
        return this.major > major || (this.major == major && this.minor >= minor);
    }
}
