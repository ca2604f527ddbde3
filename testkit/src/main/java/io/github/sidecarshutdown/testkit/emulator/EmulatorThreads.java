package io.github.sidecarshutdown.testkit.emulator;

import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;

/** Daemon threads named {@code sidecar-emulator-<n>}, so an emulator never keeps a JVM alive. */
final class EmulatorThreads implements ThreadFactory {

    private static final AtomicInteger EMULATORS = new AtomicInteger();
    private final int emulator = EMULATORS.incrementAndGet();
    private final AtomicInteger count = new AtomicInteger();

    @Override
    public Thread newThread(Runnable task) {
        Thread t = new Thread(task, "sidecar-emulator-" + emulator + "-" + count.incrementAndGet());
        t.setDaemon(true);
        return t;
    }
}
