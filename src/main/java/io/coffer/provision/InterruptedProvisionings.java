package io.coffer.provision;

import java.util.List;

import io.coffer.catalog.ProvisioningRepository;
import io.coffer.catalog.StoppedInstances;
import io.coffer.catalog.InterruptedWork;
import io.coffer.system.JobExecutions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.core.annotation.Order;
import org.springframework.stereotype.Component;

/**
 * Provisionings whose instance stopped while they ran would leave their database {@code provisioning} for
 * ever, out of the supervisor's care (and a database still provisioning cannot be deleted). Those of a gone
 * instance (see {@link StoppedInstances}) are settled like a failure: their nodes are removed and the
 * database is {@code error} with the reason.
 */
@Component
@Order(3)
public class InterruptedProvisionings implements InterruptedWork {

	static final String INTERRUPTED = JobExecutions.INTERRUPTED;

	private static final Logger log = LoggerFactory.getLogger(InterruptedProvisionings.class);

	private final ProvisioningRepository provisionings;

	private final ProvisionFailures provisionFailures;

	InterruptedProvisionings(ProvisioningRepository provisionings, ProvisionFailures provisionFailures) {
		this.provisionings = provisionings;
		this.provisionFailures = provisionFailures;
	}

	@Override
	public String kind() {
		return "provisionings";
	}

	/** Removes what every interrupted provisioning started; answers how many there were. */
	@Override
	public int recover(StoppedInstances stopped) {
		List<String> interrupted = this.provisionings.interruptedProvisionings(stopped);
		for (String databaseId : interrupted) {
			log.warn("The provisioning of {} was interrupted: its instance stopped", databaseId);
			this.provisionFailures.record(databaseId, new IllegalStateException(INTERRUPTED));
		}
		return interrupted.size();
	}

}
