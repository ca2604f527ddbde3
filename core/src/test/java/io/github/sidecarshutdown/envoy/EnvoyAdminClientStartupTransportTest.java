package io.github.sidecarshutdown.envoy;

/**
 * {@link EnvoyAdminClientTest} through the transport of the calls made before the shutdown begins
 * (the startup wait, the plan): the JDK's sockets, which start no thread and load no OkHttp class.
 * Every answer, fault, timeout and body cap must read the same as through OkHttp.
 */
class EnvoyAdminClientStartupTransportTest extends EnvoyAdminClientTest {

    @Override
    boolean throughOkHttp() {
        return false;
    }
}
