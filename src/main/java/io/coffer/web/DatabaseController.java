package io.coffer.web;

import java.util.List;

import io.coffer.catalog.Database;
import io.coffer.catalog.DatabaseRepository;
import io.coffer.provision.DatabaseRegistration;
import io.coffer.provision.RegisterRequest;
import io.coffer.system.ApiException;
import io.coffer.system.CofferProperties;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.Pattern;

import org.springframework.http.HttpStatus;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;

@RestController
@RequestMapping("/api/v1/databases")
class DatabaseController {

	private final DatabaseRepository databases;

	private final DatabaseRegistration registration;

	private final CofferProperties properties;

	DatabaseController(DatabaseRepository databases, DatabaseRegistration registration,
			CofferProperties properties) {
		this.databases = databases;
		this.registration = registration;
		this.properties = properties;
	}

	record CreateRequest(
			@NotBlank(message = "is required") @Pattern(regexp = "[a-z0-9][a-z0-9-]{0,46}[a-z0-9]", message = "must be 2 to 48 lower-case letters, digits and dashes") String app,
			String plan, @Valid RegisterRequest register) {
	}

	@PostMapping
	@ResponseStatus(HttpStatus.CREATED)
	DatabaseView create(Caller caller, @Valid @RequestBody CreateRequest request) {
		caller.requireOperator();
		if (request.register() == null) {
			throw ApiException.unprocessable("provisioning_unavailable",
					"this service registers existing Redis databases only: send \"register\" with their nodes");
		}
		DatabaseRegistration.Registered registered = this.registration.register(request.app(), request.register());
		return view(registered.database(), registered.token());
	}

	@GetMapping
	List<DatabaseView> list(Caller caller) {
		return this.databases.findAllLive()
			.stream()
			.filter((database) -> caller.mayAccess(database.id()))
			.map((database) -> view(database, null))
			.toList();
	}

	@GetMapping("/{db}")
	DatabaseView get(Caller caller, @PathVariable String db) {
		caller.requireAccess(db);
		return this.databases.findLive(db)
			.map((database) -> view(database, null))
			.orElseThrow(() -> ApiException.notFound("database " + db));
	}

	private DatabaseView view(Database database, String token) {
		return DatabaseView.of(database, this.properties.getPlatformPrefix(), token);
	}

}
