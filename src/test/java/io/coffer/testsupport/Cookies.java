package io.coffer.testsupport;

import java.net.http.HttpResponse;
import java.util.Optional;

/** The dashboard's session cookie as a test that speaks HTTP to it, without a browser, carries it along. */
public final class Cookies {

	private Cookies() {
	}

	/** The cookie the response sets, as the next request sends it back: {@code name=value}, without attributes. */
	public static Optional<String> setBy(HttpResponse<?> response) {
		return response.headers().firstValue("Set-Cookie").map((header) -> header.split(";", 2)[0]);
	}

}
