package io.github.sidecarshutdown.internal.jvm;

import java.lang.reflect.Field;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import org.jspecify.annotations.Nullable;

/**
 * The JVM's own list of application shutdown hooks, read only when the app opens {@code java.lang}
 * to the library ({@code --add-opens java.base/java.lang=ALL-UNNAMED}, or the module's name).
 *
 * <p>{@code java.lang.ApplicationShutdownHooks} keeps the hooks in a static {@code IdentityHashMap}
 * and, when shutdown begins, iterates that map's key set and sets the field to null; the map itself
 * is never replaced. Holding the map from before shutdown therefore gives the exact set of hook
 * threads afterwards: every hook, whatever its name, when it started, whether a platform or a
 * virtual thread, on any OS. Without the opening the field cannot be read ({@code setAccessible}
 * throws), and {@link #threads()} is empty.
 */
final class RegisteredHooks {

    private static final AtomicReference<Map<?, ?>> MAP = new AtomicReference<>();
    private static volatile boolean closed;
    private static volatile @Nullable Field field;

    private RegisteredHooks() {
    }

    /** Takes hold of the hook map, once, if {@code java.lang} is open to this code and shutdown has not begun. */
    static void capture() {
        if (MAP.get() != null || closed) {
            return;
        }
        if (!Object.class.getModule().isOpen("java.lang", RegisteredHooks.class.getModule())) {
            // Asked first: setAccessible would say the same by throwing, which costs the app's path to Ready more.
            closed = true;
            return;
        }
        try {
            Field f = Class.forName(ThreadRoles.HOOKS_CLASS).getDeclaredField("hooks");
            f.setAccessible(true);
            field = f;
            Object m = f.get(null);
            if (m instanceof IdentityHashMap<?, ?> map) {
                MAP.compareAndSet(null, map);
            }
        } catch (RuntimeException e) {
            // InaccessibleObjectException: java.lang is not opened to this code, and never will be
            closed = true;
        } catch (ReflectiveOperationException | LinkageError e) {
            closed = true; // another JDK's internals
        }
    }

    /** Whether the app opened {@code java.lang} and the map is held. */
    static boolean available() {
        return MAP.get() != null;
    }

    /** Whether the JVM has started its hooks (the field is null from then on); false when unknown. */
    static boolean started() {
        Field f = field;
        if (f == null || MAP.get() == null) {
            return false;
        }
        try {
            return f.get(null) == null;
        } catch (IllegalAccessException | RuntimeException e) {
            return false;
        }
    }

    /** Every registered hook thread, when the map is held. */
    static Optional<List<Thread>> threads() {
        Map<?, ?> map = MAP.get();
        if (map == null) {
            return Optional.empty();
        }
        List<Thread> out = new ArrayList<>();
        try {
            // ApplicationShutdownHooks adds and removes under its class lock; once shutdown began nothing changes it
            synchronized (Class.forName(ThreadRoles.HOOKS_CLASS)) {
                for (Object k : map.keySet()) {
                    if (k instanceof Thread t) {
                        out.add(t);
                    }
                }
            }
        } catch (ClassNotFoundException e) {
            return Optional.empty();
        }
        return Optional.of(out);
    }
}
