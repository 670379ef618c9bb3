package io.coffer.provision;

import io.coffer.node.DatabaseLocks;
import io.coffer.node.NodeRemoval;

import java.util.List;

import io.coffer.catalog.DatabaseStatus;
import io.coffer.catalog.ProvisioningRepository;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.stereotype.Component;

/**
 * A provisioning that failed leaves nothing half-made: every node it started is stopped and removed,
 * and the database says why in its status.
 */
@Component
public class ProvisionFailures {

	private static final Logger log = LoggerFactory.getLogger(ProvisionFailures.class);

	private final NodeRemoval removal;

	private final ProvisioningRepository repository;

	private final DatabaseLocks locks;

	ProvisionFailures(NodeRemoval removal, ProvisioningRepository repository, DatabaseLocks locks) {
		this.removal = removal;
		this.repository = repository;
		this.locks = locks;
	}

	public void record(String databaseId, Throwable cause) {
		String reason = "provisioning failed: " + ((cause != null && cause.getMessage() != null) ? cause.getMessage()
				: "the job stopped without saying why");
		log.warn("Provisioning of {} failed; removing what it started. {}", databaseId, reason, cause);
		this.locks.withLock(databaseId, () -> {
			List<String> leftBehind = this.removal.removeAll(databaseId);
			String full = leftBehind.isEmpty() ? reason
					: reason + "; and some nodes could not be removed: " + String.join("; ", leftBehind);
			try {
				this.repository.changeStatus(databaseId, DatabaseStatus.PROVISIONING, DatabaseStatus.ERROR, full);
			}
			catch (IllegalStateException ex) {
				log.warn("Could not record the failure of {}: {}", databaseId, ex.getMessage());
			}
		});
	}

}
