package io.coffer.schedule;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

import org.springframework.beans.factory.annotation.Qualifier;

/**
 * Marks a {@code Job} bean as service-wide (retention, housekeeping): it takes no database, can be
 * named in {@code schedules/*.yml} and launched by the operator with {@code POST /api/v1/jobs/{name}}.
 */
@Target({ ElementType.METHOD, ElementType.TYPE, ElementType.FIELD, ElementType.PARAMETER })
@Retention(RetentionPolicy.RUNTIME)
@Documented
@Qualifier
public @interface ServiceJob {

}
