package io.github.sidecarshutdown.testkit.emulator;

import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/** Records calls and events and notifies the user's listener. */
final class Recorder {

    /** Header the emulated sidecar sets on requests it sends to itself, so they are told apart. */
    static final String ORIGIN_HEADER = "x-sidecar-emulator-origin";

    private final List<RecordedCall> calls = new CopyOnWriteArrayList<>();
    private final List<SidecarEvent> events = new CopyOnWriteArrayList<>();
    private final Consumer<SidecarEvent> listener;

    Recorder(Consumer<SidecarEvent> listener) {
        this.listener = listener;
    }

    void call(RecordedCall.Target target, HttpRequest request) {
        calls.add(new RecordedCall(target, request.method(), request.path(), request.rawQuery(), Instant.now(),
                System.nanoTime(), request.headers().contains(ORIGIN_HEADER)));
    }

    void event(SidecarEvent.Type type, String detail) {
        SidecarEvent event = new SidecarEvent(type, Instant.now(), System.nanoTime(), detail);
        events.add(event);
        try {
            listener.accept(event);
        } catch (RuntimeException ignored) {
            // a listener must not break the emulated sidecar
        }
    }

    List<RecordedCall> calls() {
        return List.copyOf(calls);
    }

    List<SidecarEvent> events() {
        return List.copyOf(events);
    }
}
