package io.coffer.restore;

import java.util.Optional;

import io.coffer.catalog.Backup;
import io.coffer.engine.EngineCatalogue;
import io.coffer.engine.EngineVersion;

import org.springframework.stereotype.Component;

/**
 * The server a scratch copy of a backup runs on (a drill's, a point-in-time archive's): one of the engine
 * catalogue that reads its RDB version, the backup's own engine first (a Valkey backup loads into
 * valkey-server), else {@code coffer.drill.redis-server}.
 */
@Component
class ScratchEngines {

	private final EngineCatalogue engines;

	private final DrillProperties settings;

	ScratchEngines(EngineCatalogue engines, DrillProperties settings) {
		this.engines = engines;
		this.settings = settings;
	}

	/** The program of a scratch server, and how reports name it. */
	record Engine(String server, String name) {
	}

	Engine forBackup(Backup backup) {
		EngineVersion own = null;
		if (backup.redisVersion() != null) {
			try {
				own = EngineVersion.parse(backup.redisVersion());
			}
			catch (IllegalArgumentException ex) {
				// a version that is not x.y.z: any engine that reads the dump will do
			}
		}
		if (backup.rdbVersion() != null) {
			Optional<EngineCatalogue.Engine> reader = this.engines.reading(backup.rdbVersion(), own);
			if (reader.isPresent()) {
				return new Engine(reader.get().server(), reader.get().version().label());
			}
		}
		return new Engine(this.settings.redisServer(), this.settings.redisServer());
	}

}
