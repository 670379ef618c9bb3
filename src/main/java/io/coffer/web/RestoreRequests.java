package io.coffer.web;

import java.util.Map;

import io.coffer.system.InvalidRequest;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.exc.UnrecognizedPropertyException;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.stereotype.Component;

/**
 * The API's restore request for the dashboard's forms: the fields a form gathered go through the same JSON
 * binding, checks and launch as {@code POST /databases/{db}/restores} (an unknown field refused as the API
 * refuses it), so that what a page posts and what it is told are the API's own.
 */
@Component
public class RestoreRequests {

	private final RestoreController restores;

	private final JsonMapper json;

	RestoreRequests(RestoreController restores, JsonMapper json) {
		this.restores = restores;
		this.json = json;
	}

	/**
	 * Starts a restore of {@code db} with the request body {@code fields} ({@code "at"}, {@code "target"}, ...,
	 * named as in the API), for the operator ({@code callerDatabaseId} null) or the holder of a database's token.
	 * @return the restore's id
	 * @throws io.coffer.system.CofferException what the API answers with a 4xx, with its message
	 */
	public String start(String callerDatabaseId, String db, Map<String, Object> fields) {
		RestoreController.CreateRequest request;
		try {
			request = this.json.readerFor(RestoreController.CreateRequest.class)
				.with(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
				.readValue(this.json.writeValueAsString(fields));
		}
		catch (UnrecognizedPropertyException ex) {
			throw new InvalidRequest(ApiErrorHandler.unknownField(ex));
		}
		catch (JacksonException ex) {
			throw new InvalidRequest("the request body is not valid JSON for this call");
		}
		return this.restores.create(new Caller(callerDatabaseId), db, request).id();
	}

}
