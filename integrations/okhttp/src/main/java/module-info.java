/** OkHttp 5 integration: a token-request transport and the API adapter. */
module dev.clientauth.okhttp {
    requires transitive dev.clientauth.core;
    requires transitive okhttp3;

    exports dev.clientauth.okhttp;
}
