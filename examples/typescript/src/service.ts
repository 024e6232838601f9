// A tiny Node HTTP service for the example. Its responses are checked by the
// validating middleware of @statusd/client (see test/service.test.ts):
// the "non-Go service uses the profile authority" story.
import type { RequestListener } from "node:http";

/** An orders API with Level 3 resources, one of them deliberately wrong. */
export const ordersApp: RequestListener = (req, res) => {
  const route = `${req.method} ${req.url}`;
  req.resume(); // the bodies are not needed here
  switch (route) {
    case "HEAD /":
    case "GET /":
      res.writeHead(200, {
        profile: "<https://level3.rest/profiles/home>",
        allow: "HEAD, GET",
        link: '</orders/form>; rel="https://example.com/rels/order-form"',
      });
      res.end();
      return;
    case "POST /orders/form":
      req.on("end", () => {
        res.writeHead(201, { profile: "<https://level3.rest/profiles/form>", location: "/orders/42" });
        res.end();
      });
      return;
    case "POST /orders/broken-form":
      // A 201 with a body and no location: two Level 3 errors.
      req.on("end", () => {
        res.writeHead(201, { profile: "<https://level3.rest/profiles/form>", "content-type": "text/plain" });
        res.end("created");
      });
      return;
    default:
      res.writeHead(404, { "content-type": "text/plain" });
      res.end("not found");
  }
};
