package io.coffer.web;

import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.JavaType;
import tools.jackson.databind.ObjectReader;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.http.converter.json.JacksonJsonHttpMessageConverter;

/**
 * The service's JSON converter, strict about what it reads: a request body with a field the call does
 * not know is refused (400) rather than half-understood, as a misspelt {@code "plann"} would otherwise
 * provision with the default. Answers are written by the same mapper as before; the command-line client
 * has its own mapper, which keeps tolerating fields it does not know in answers.
 */
class RequestBodyJsonConverter extends JacksonJsonHttpMessageConverter {

	RequestBodyJsonConverter(JsonMapper mapper) {
		super(mapper);
	}

	@Override
	protected ObjectReader customizeReader(ObjectReader reader, JavaType javaType) {
		return super.customizeReader(reader, javaType).with(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);
	}

}
