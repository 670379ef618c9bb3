package io.coffer.node;

import java.util.List;

import io.coffer.catalog.ProvisioningRepository;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Component;

/**
 * At start-up with the docker driver, removes this Coffer's containers (labelled with its instance) of
 * databases the catalogue no longer has alive: a deletion that stopped half-way, a database deleted while
 * its engine did not answer. The containers of live databases are left to the engine's restart policy.
 */
@Component
class ContainerSweep {

	private static final Logger log = LoggerFactory.getLogger(ContainerSweep.class);

	private final ProvisioningProperties settings;

	private final DockerNodeDriver driver;

	private final ProvisioningRepository repository;

	ContainerSweep(ProvisioningProperties settings, DockerNodeDriver driver, ProvisioningRepository repository) {
		this.settings = settings;
		this.driver = driver;
		this.repository = repository;
	}

	@EventListener(ApplicationReadyEvent.class)
	void sweep() {
		if (!DockerNodeDriver.NAME.equals(this.settings.driver())) {
			return;
		}
		try {
			List<String> removed = this.driver.sweep(this.repository.liveDatabasesOf(DockerNodeDriver.NAME));
			if (!removed.isEmpty()) {
				log.warn("Removed {} container(s) of databases that no longer exist: {}", removed.size(), removed);
			}
		}
		catch (RuntimeException ex) {
			log.warn("Could not sweep the containers of deleted databases: {}", ex.getMessage());
		}
	}

}
