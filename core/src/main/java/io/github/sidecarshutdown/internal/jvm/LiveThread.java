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
}
