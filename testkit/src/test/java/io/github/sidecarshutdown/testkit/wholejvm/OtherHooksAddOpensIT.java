package io.github.sidecarshutdown.testkit.wholejvm;

import java.util.List;

/**
 * Issue 23's table again with the opt-in the library offers: {@code java.lang} opened to it, so it
 * reads the JVM's own list of shutdown hooks instead of recognising them (docs/whole-jvm.md).
 */
class OtherHooksAddOpensIT extends OtherHooksIT {

    @Override
    List<String> jvmOptions() {
        return List.of("--add-opens", "java.base/java.lang=ALL-UNNAMED");
    }
}
