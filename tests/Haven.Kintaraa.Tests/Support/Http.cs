using System.Net.Http.Json;
using Haven.Testing;

namespace Haven.Kintaraa.Tests.Support;

/// <summary>Short HTTP calls with the platform's JSON and the test's cancellation token.</summary>
public static class Http
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public static Task<HttpResponseMessage> Get(this HttpClient client, string url) => client.GetAsync(url, Ct);

    public static Task<HttpResponseMessage> Post(this HttpClient client, string url, object? body = null) =>
        client.PostAsync(url, body is null ? null : JsonContent.Create(body, body.GetType(), options: HttpAssertions.Json), Ct);

    public static Task<HttpResponseMessage> Put(this HttpClient client, string url, object body) =>
        client.PutAsync(url, JsonContent.Create(body, body.GetType(), options: HttpAssertions.Json), Ct);

    public static Task<HttpResponseMessage> Patch(this HttpClient client, string url, object body) =>
        client.PatchAsync(url, JsonContent.Create(body, body.GetType(), options: HttpAssertions.Json), Ct);

    public static Task<HttpResponseMessage> Delete(this HttpClient client, string url) => client.DeleteAsync(url, Ct);
}
