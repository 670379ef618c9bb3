package io.coffer.web;

import jakarta.servlet.http.HttpServletRequest;

/** Where a request goes, as the dispatcher sees it. */
final class RequestPaths {

	private RequestPaths() {
	}

	/**
	 * The decoded, normalised path within the application, which the container mapped the request by:
	 * unlike {@link HttpServletRequest#getRequestURI()}, {@code /%61pi/...} reads {@code /api/...} here.
	 */
	static String decoded(HttpServletRequest request) {
		String pathInfo = request.getPathInfo();
		return request.getServletPath() + ((pathInfo != null) ? pathInfo : "");
	}

	static boolean isApi(HttpServletRequest request) {
		return decoded(request).startsWith("/api/");
	}

}
