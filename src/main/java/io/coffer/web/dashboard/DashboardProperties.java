package io.coffer.web.dashboard;

import java.time.Duration;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * The dashboard's settings.
 * @param signInAttempts failed dashboard sign-ins one client address may make per {@code sign-in-window} (429
 * beyond, with {@code Retry-After}); one that succeeds is given back, so only failures use them up
 * @param signInWindow the time in which those attempts come back, steadily
 */
@ConfigurationProperties("coffer.dashboard")
record DashboardProperties(@DefaultValue("10") int signInAttempts, @DefaultValue("1m") Duration signInWindow) {

	DashboardProperties {
		if (signInAttempts < 1) {
			throw new IllegalArgumentException("coffer.dashboard.sign-in-attempts must be at least 1, like 10");
		}
		if (signInWindow.isZero() || signInWindow.isNegative()) {
			throw new IllegalArgumentException("coffer.dashboard.sign-in-window must be a positive duration, like 1m");
		}
	}

}
