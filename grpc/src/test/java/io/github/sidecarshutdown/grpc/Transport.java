package io.github.sidecarshutdown.grpc;

import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.ServerBuilder;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.UUID;
import java.util.function.Consumer;

/** The transports every test runs on: in-process, and Netty (shaded) on a loopback ephemeral port. */
enum Transport {
    IN_PROCESS {
        @Override
        Server start(Consumer<ServerBuilder<?>> config) throws Exception {
            InProcessServerBuilder b = InProcessServerBuilder.forName("test-" + UUID.randomUUID());
            config.accept(b);
            return b.build().start();
        }

        @Override
        ManagedChannel channel(Server server) {
            return InProcessChannelBuilder.forAddress(server.getListenSockets().get(0)).build();
        }
    },
    NETTY {
        @Override
        Server start(Consumer<ServerBuilder<?>> config) throws Exception {
            NettyServerBuilder b = NettyServerBuilder.forAddress(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            config.accept(b);
            return b.build().start();
        }

        @Override
        ManagedChannel channel(Server server) {
            return NettyChannelBuilder.forAddress("127.0.0.1", server.getPort()).usePlaintext().build();
        }
    };

    /** Builds and starts a server; {@code config} adds services and interceptors. */
    abstract Server start(Consumer<ServerBuilder<?>> config) throws Exception;

    /** A new channel to {@code server}. */
    abstract ManagedChannel channel(Server server);
}
