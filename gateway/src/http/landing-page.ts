import accepts from 'accepts';
import type { NodeEnv } from '../config';
import { refusal, refusalBody } from '../errors';
import { HttpStage, sendJson } from './gateway-request';

type LandingPage = { html: string | (() => Promise<string>) };

/**
 * A browser's GET of the endpoint (no operation): the embedded Apollo Sandbox outside
 * production, as Apollo Server renders it; in production, and for anything but a browser,
 * a 400 that says an operation is missing.
 */
export function landingPage(nodeEnv: NodeEnv): HttpStage {
  let rendered: Promise<LandingPage | null> | null = null;
  const render = async (): Promise<LandingPage | null> => {
    if (nodeEnv === 'production') return null;
    // Loaded on the first browser visit only.
    const { ApolloServerPluginLandingPageLocalDefault } = await import('@apollo/server/plugin/landingPage/default');
    const plugin = ApolloServerPluginLandingPageLocalDefault({ embed: true, includeCookies: true });
    const started = await plugin.serverWillStart?.({} as never);
    return (await started?.renderLandingPage?.()) ?? null;
  };
  return async (req, res) => {
    const page = accepts(req).type(['application/json', 'text/html']) === 'text/html' ? await (rendered ??= render()) : null;
    if (!page) {
      sendJson(res, 400, refusalBody(refusal('BAD_REQUEST', 'a GET request must carry the operation in its query string (query=…)')));
      return;
    }
    const html = typeof page.html === 'string' ? page.html : await page.html();
    res.setHeader('content-type', 'text/html; charset=utf-8');
    res.end(html);
  };
}
