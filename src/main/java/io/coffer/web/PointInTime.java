package io.coffer.web;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;

import io.coffer.system.InvalidRequest;

/** A point in time as requests give it: an ISO-8601 instant with its offset ({@code 2026-12-01T14:03:07.250Z}). */
final class PointInTime {

	private PointInTime() {
	}

	static Instant parse(String text) {
		try {
			return OffsetDateTime.parse(text.trim()).toInstant();
		}
		catch (DateTimeParseException ex) {
			throw new InvalidRequest("\"" + text + "\" is not a point in time: give an ISO-8601 instant with its"
					+ " offset, such as 2026-12-01T14:03:07.250Z");
		}
	}

}
