using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using FluentAssertions;
using Haven.Platform.Hosting;

namespace Haven.Testing;

/// <summary>Assertions that print the response body when they fail, so a red test says what the server said.</summary>
public static class HttpAssertions
{
    public static readonly JsonSerializerOptions Json = CreateJson();

    public static async Task<JsonObject> ShouldBeProblemAsync(this HttpResponseMessage response, int status, string code)
    {
        var body = await response.Content.ReadAsStringAsync();
        ((int)response.StatusCode).Should().Be(status, "the body was: {0}", body);
        response.Content.Headers.ContentType?.MediaType.Should().Be("application/problem+json", "the body was: {0}", body);
        var problem = JsonNode.Parse(body)!.AsObject();
        problem["code"]?.GetValue<string>().Should().Be(code, "the body was: {0}", body);
        problem["status"]?.GetValue<int>().Should().Be(status);
        problem["traceId"]?.GetValue<string>().Should().NotBeNullOrEmpty("every problem carries a trace id; body: {0}", body);
        body.Should().NotContain("   at ", "problem details never carry stack traces");
        return problem;
    }

    public static async Task<T> ShouldBeOkAsync<T>(this HttpResponseMessage response, int status = 200)
    {
        var body = await response.Content.ReadAsStringAsync();
        ((int)response.StatusCode).Should().Be(status, "the body was: {0}", body);
        return JsonSerializer.Deserialize<T>(body, Json)!;
    }

    public static async Task<JsonNode> ShouldBeJsonAsync(this HttpResponseMessage response, int status = 200)
    {
        var body = await response.Content.ReadAsStringAsync();
        ((int)response.StatusCode).Should().Be(status, "the body was: {0}", body);
        return JsonNode.Parse(body)!;
    }

    public static Task<HttpResponseMessage> PostJsonAsync<T>(this HttpClient client, string url, T body) =>
        client.PostAsJsonAsync(url, body, Json);

    private static JsonSerializerOptions CreateJson()
    {
        var options = new JsonSerializerOptions(JsonSerializerDefaults.Web);
        PlatformServices.ConfigureJson(options);
        return options;
    }
}
