package io.coffer.housekeeping;

import io.coffer.catalog.InstanceTimeout;
import io.coffer.catalog.InterruptedWork;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.coffer.catalog.StoppedInstances;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.stereotype.Component;

/**
 * One round of recovery: decides once which instances have stopped ({@link InstanceTimeout}), then lets
 * every kind of {@link InterruptedWork} settle what they left, in their order. A kind that fails does not
 * keep the others from their turn; the round then fails with it, so that the job's execution says so.
 */
@Component
public class RecoverInterruptedWorkTask {

	private static final Logger log = LoggerFactory.getLogger(RecoverInterruptedWorkTask.class);

	private final ObjectProvider<InterruptedWork> kinds;

	private final InstanceTimeout instanceTimeout;

	RecoverInterruptedWorkTask(ObjectProvider<InterruptedWork> kinds, InstanceTimeout instanceTimeout) {
		this.kinds = kinds;
		this.instanceTimeout = instanceTimeout;
	}

	/** @return how many of each kind were recorded as interrupted, in the order they ran */
	public Map<String, Integer> run() {
		StoppedInstances stopped = this.instanceTimeout.stoppedNow();
		Map<String, Integer> recorded = new LinkedHashMap<>();
		RuntimeException failure = null;
		List<InterruptedWork> kinds = this.kinds.orderedStream().toList();
		for (InterruptedWork kind : kinds) {
			try {
				recorded.put(kind.kind(), kind.recover(stopped));
			}
			catch (RuntimeException ex) {
				log.warn("Interrupted {} could not be recovered this round: {}", kind.kind(), ex.getMessage(), ex);
				if (failure == null) {
					failure = ex;
				}
				else {
					failure.addSuppressed(ex);
				}
			}
		}
		if (failure != null) {
			throw failure;
		}
		return recorded;
	}

}
