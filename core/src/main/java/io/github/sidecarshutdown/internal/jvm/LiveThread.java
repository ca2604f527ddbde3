package io.github.sidecarshutdown.internal.jvm;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A live platform thread as one {@link Thread#getAllStackTraces()} saw it: its state and its stack,
 * top frame first. Virtual threads are not listed there, and so never here.
 */
record LiveThread(Thread thread, Thread.State state, StackTraceElement[] stack) {

    /** Every live platform thread now. */
    static List<LiveThread> all() {
        Map<Thread, StackTraceElement[]> stacks = Thread.getAllStackTraces();
        List<LiveThread> out = new ArrayList<>(stacks.size());
        for (Map.Entry<Thread, StackTraceElement[]> e : stacks.entrySet()) {
            out.add(new LiveThread(e.getKey(), e.getKey().getState(), e.getValue()));
        }
        return out;
    }

    String name() {
        return thread.getName();
    }

    boolean hasFrame(String className, String methodName) {
        for (StackTraceElement f : stack) {
            if (f.getClassName().equals(className) && f.getMethodName().equals(methodName)) {
                return true;
            }
        }
        return false;
    }

    boolean isWaiting() {
        return state == Thread.State.WAITING || state == Thread.State.TIMED_WAITING;
    }

    /**
     * Parked or in {@code Object.wait} by its stack's top frame, and waiting by its state. The state
     * is read after the stack: a thread seen running in its stack that waits by the time its state
     * is read (it went on to work that blocks) is not parked where its stack says.
     */
    boolean isParked() {
        if (!isWaiting() || stack.length == 0) {
            return false;
        }
        String c = stack[0].getClassName();
        String m = stack[0].getMethodName();
        return (c.equals("jdk.internal.misc.Unsafe") && m.equals("park"))
                || (c.equals("java.lang.Object") && (m.equals("wait") || m.equals("wait0")));
    }
}
