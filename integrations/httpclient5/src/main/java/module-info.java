/** Apache HttpClient 5 integration: a token-request transport and the classic and async API adapters. */
module dev.clientauth.httpclient5 {
    requires transitive dev.clientauth.core;
    requires transitive org.apache.httpcomponents.client5.httpclient5;
    requires transitive org.apache.httpcomponents.core5.httpcore5;

    exports dev.clientauth.httpclient5;
}
