package io.coffer.web;

import java.util.List;

import io.coffer.keyring.KeyringOperations;
import io.coffer.schedule.ServiceJobs;

import org.springframework.batch.core.job.JobExecution;
import org.springframework.http.HttpStatus;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;

/** The keyring's keys, their rotation and their retirement (operator only). */
@RestController
@RequestMapping("/api/v1/keyring")
class KeyringController {

	private final KeyringOperations keyring;

	private final ServiceJobs jobs;

	KeyringController(KeyringOperations keyring, ServiceJobs jobs) {
		this.keyring = keyring;
		this.jobs = jobs;
	}

	record KeyringView(String currentKey, List<KeyringOperations.KeyUse> keys) {
	}

	record Rotated(String keyId, List<KeyringOperations.KeyUse> keys, JobController.JobView rewrap) {
	}

	@GetMapping
	KeyringView get(Caller caller) {
		caller.requireOperator();
		return view();
	}

	/**
	 * Adds a key that new objects use from now on, on every instance, and launches {@code rewrapKeysJob}
	 * (unless {@code ?rewrap=false}) to move what is stored onto it.
	 */
	@PostMapping("/rotate")
	@ResponseStatus(HttpStatus.ACCEPTED)
	Rotated rotate(Caller caller, @RequestParam(defaultValue = "true") boolean rewrap) {
		caller.requireOperator();
		String added = this.keyring.rotate();
		JobExecution job = rewrap ? this.jobs.launch(KeyringOperations.REWRAP_JOB, "api") : null;
		return new Rotated(added, this.keyring.keys(), (job != null) ? JobController.JobView.of(job) : null);
	}

	/** Removes an old key from the keyring; 409 with what still needs it, while anything does. */
	@DeleteMapping("/keys/{id}")
	KeyringView retire(Caller caller, @PathVariable String id) {
		caller.requireOperator();
		this.keyring.retire(id);
		return view();
	}

	private KeyringView view() {
		List<KeyringOperations.KeyUse> keys = this.keyring.keys();
		String current = keys.stream().filter(KeyringOperations.KeyUse::current).findFirst().orElseThrow().id();
		return new KeyringView(current, keys);
	}

}
