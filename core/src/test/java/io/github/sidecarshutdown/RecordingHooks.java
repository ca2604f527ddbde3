package io.github.sidecarshutdown;

import io.github.sidecarshutdown.internal.RuntimeHooks;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** Keeps hooks instead of registering them with the test JVM. */
final class RecordingHooks implements RuntimeHooks {

    final List<Thread> hooks = new CopyOnWriteArrayList<>();

    @Override
    public void addShutdownHook(Thread hook) {
        hooks.add(hook);
    }
}
