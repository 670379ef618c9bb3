package io.coffer.catalog;

import java.time.Clock;
import java.time.Duration;

import io.coffer.system.CofferInstance;
import io.coffer.system.ClusterProperties;

import org.springframework.stereotype.Component;

/**
 * When an instance of the cluster counts as stopped: no check-in with the Quartz cluster for
 * {@code coffer.housekeeping.instance-timeout}, or this very instance before its start. Read in this one
 * place by every recovery of interrupted work, and by the requests that first settle what a stopped
 * instance left on their database.
 */
@Component
public class InstanceTimeout {

	private final CofferInstance instance;

	private final Duration timeout;

	private final Clock clock;

	InstanceTimeout(CofferInstance instance, ClusterProperties cluster, Clock clock) {
		this.instance = instance;
		this.timeout = cluster.instanceTimeout();
		this.clock = clock;
	}

	/** The instances that count as stopped at this moment. */
	public StoppedInstances stoppedNow() {
		return new StoppedInstances(this.instance.id(), this.instance.startedAt(),
				this.clock.instant().minus(this.timeout));
	}

}
