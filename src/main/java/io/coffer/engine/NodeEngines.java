package io.coffer.engine;

import io.coffer.node.ServerPrograms;

import org.springframework.stereotype.Component;

/**
 * Which {@code redis-server} runs a data node of the process driver: the one of the version the
 * catalogue records for the node (its own while an upgrade moves it ahead, else its database's). Every
 * start of a data node asks here, whether at provisioning, by the supervisor or by an upgrade, so that
 * a node never comes back on another engine than its database's.
 */
@Component
public class NodeEngines implements ServerPrograms {

	private final EngineCatalogue catalogue;

	private final EngineRepository repository;

	NodeEngines(EngineCatalogue catalogue, EngineRepository repository) {
		this.catalogue = catalogue;
		this.repository = repository;
	}

	@Override
	public String redisServer(String databaseId, String nodeName) {
		return this.catalogue.server(this.repository.nodeVersion(databaseId, nodeName));
	}

	@Override
	public void chooseFor(String databaseId) {
		this.catalogue.defaultVersion()
			.ifPresent((version) -> this.repository.recordIfNone(databaseId, version.toString()));
	}

}
