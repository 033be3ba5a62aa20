package com.example.invoices.web;

import jakarta.ws.rs.ApplicationPath;
import jakarta.ws.rs.core.Application;

/** The REST endpoint lives under /invoices/api. */
@ApplicationPath("/api")
public class InvoicesApplication extends Application {
}
