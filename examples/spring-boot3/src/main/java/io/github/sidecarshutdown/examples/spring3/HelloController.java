package io.github.sidecarshutdown.examples.spring3;

import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

/** The inbound traffic: a request that takes {@code REQUEST_TIME} milliseconds. */
@RestController
class HelloController {

    private final long requestMillis = Long.parseLong(Env.get("REQUEST_TIME_MS", "50"));

    @GetMapping("/hello")
    String hello() throws InterruptedException {
        Thread.sleep(requestMillis);
        return "hello\n";
    }
}
