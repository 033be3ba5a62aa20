package io.redtask.web.security;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * A resource of the task API: open by default, and role {@code submitter} or {@code admin} when
 * {@code redtask.rest.secure-tasks} is true (read on every request, so it is not a static
 * {@code @RolesAllowed}). See {@link AccessFilter}.
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.TYPE, ElementType.METHOD})
public @interface TaskEndpoint {}
