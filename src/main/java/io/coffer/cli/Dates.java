package io.coffer.cli;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Locale;

/** Dates as the Scalingo CLI writes them: {@code Thu, 07 Dec 2023 01:00:10 UTC}. */
final class Dates {

	private static final DateTimeFormatter FORMAT = DateTimeFormatter
		.ofPattern("EEE, dd MMM yyyy HH:mm:ss 'UTC'", Locale.ENGLISH)
		.withZone(ZoneOffset.UTC);

	private Dates() {
	}

	static String format(String isoInstant) {
		if (isoInstant == null || isoInstant.isBlank()) {
			return "";
		}
		try {
			return FORMAT.format(Instant.parse(isoInstant));
		}
		catch (DateTimeParseException ex) {
			return isoInstant;
		}
	}

}
