package io.github.sidecarshutdown;

import java.net.URI;

/**
 * Points every sidecar URL setting of a builder at a loopback port that refuses, so that detection in a
 * test never reaches what may listen on a mesh's default port on the machine running the tests (a
 * developer's Envoy or Consul agent, a second build on the same CI runner, {@code tools/verify-under-load}'s
 * stand-ins). Apply it first, then set the URLs the test does serve.
 */
final class RefusedSidecarUrls {

    private RefusedSidecarUrls() {
    }

    static ShutdownCoordinatorBuilder everywhere(ShutdownCoordinatorBuilder b) {
        return b.adminUrl(refused()).agentUrl(refused()).linkerdAdminUrl(refused()).daprUrl(refused())
                .consulAdminUrl(refused()).consulLifecycleUrl(refused()).kumaAdminUrl(refused());
    }

    private static URI refused() {
        return URI.create(TruthFixtures.refusedUrl());
    }
}
