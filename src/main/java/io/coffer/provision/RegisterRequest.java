package io.coffer.provision;

import java.util.List;

import jakarta.validation.Valid;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotEmpty;
import jakarta.validation.constraints.Pattern;

/**
 * An existing Redis to serve: its nodes, its password, and its sentinels when it has them.
 * {@code id} lets the operator choose the database id (the embedded default registers {@code local}).
 */
public record RegisterRequest(
		@Pattern(regexp = "[a-z0-9][a-z0-9-]{0,46}[a-z0-9]", message = "must be 2 to 48 lower-case letters, digits and dashes") String id,
		@NotEmpty(message = "must list at least one node") List<@Valid Address> nodes,
		String password,
		List<@Valid Address> sentinels,
		String sentinelMaster,
		@Pattern(regexp = "stream|file", message = "must be 'stream' or 'file'") String acquisitionMode) {

	public record Address(@NotBlank(message = "is required") String host,
			@Min(value = 1, message = "must be between 1 and 65535") @Max(value = 65535, message = "must be between 1 and 65535") int port) {
	}

	public List<Address> sentinelsOrEmpty() {
		return (this.sentinels != null) ? this.sentinels : List.of();
	}

}
