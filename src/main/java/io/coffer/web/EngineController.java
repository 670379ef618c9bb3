package io.coffer.web;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.coffer.engine.EngineCatalogue;
import io.coffer.engine.EngineVersion;

import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

/** The engines databases can be provisioned on and upgraded to; any valid token may read them. */
@RestController
@RequestMapping("/api/v1/engines")
class EngineController {

	private final EngineCatalogue engines;

	EngineController(EngineCatalogue engines) {
		this.engines = engines;
	}

	/**
	 * The engines offered, oldest first per engine: {@code engine} ({@code redis}, {@code valkey}),
	 * {@code version}, whether new databases get it by {@code default}, and the {@code rdb_version} its
	 * dumps are written in.
	 */
	@GetMapping
	List<Map<String, Object>> list() {
		EngineVersion defaultVersion = this.engines.defaultVersion().orElse(null);
		return this.engines.all().stream().map((engine) -> {
			Map<String, Object> view = new LinkedHashMap<>();
			view.put("engine", engine.version().engine());
			view.put("version", engine.version().number());
			view.put("default", engine.version().equals(defaultVersion));
			view.put("rdb_version", engine.version().rdbVersionWritten());
			return view;
		}).toList();
	}

}
