package io.github.sidecarshutdown.grpc;

import io.grpc.Channel;
import io.grpc.Status;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.stub.StreamObserver;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/** A client's watch of the server's overall health, as client-side health checking keeps one open. */
final class HealthWatch {

    /** The status it ended with ({@code OK} when the server completed it). */
    final CompletableFuture<Status> ended = new CompletableFuture<>();
    /** The first answer's serving status. */
    final HealthCheckResponse.ServingStatus first;

    private HealthWatch(Channel channel) throws Exception {
        CompletableFuture<HealthCheckResponse> answer = new CompletableFuture<>();
        HealthGrpc.newStub(channel).watch(HealthCheckRequest.getDefaultInstance(), new StreamObserver<>() {
            @Override
            public void onNext(HealthCheckResponse value) {
                answer.complete(value);
            }

            @Override
            public void onError(Throwable t) {
                ended.complete(Status.fromThrowable(t));
            }

            @Override
            public void onCompleted() {
                ended.complete(Status.OK);
            }
        });
        this.first = answer.get(10, TimeUnit.SECONDS).getStatus();
    }

    /** Opens a watch on {@code channel} and waits (at most 10 s) for its first answer. */
    static HealthWatch open(Channel channel) throws Exception {
        return new HealthWatch(channel);
    }
}
