// How clients reach an environment's services: from containers on its network (by alias) and from
// the machine running Pulumi (published host ports). Pure: tested without mocks.
import { postgresUrl, POSTGRES_PORT } from "../postgres/spec";
import { REDIS_PORT } from "../redis/spec";
import { PortPlan } from "../ports";

export interface PostgresLogin {
  user: string;
  password: string;
  database: string;
}

export type HostUrls = Record<keyof PortPlan, string | undefined>;

/** URLs for clients on the host; a service without a published port has none. */
export function hostUrls(host: string, ports: PortPlan, login: PostgresLogin): HostUrls {
  return {
    postgres: ports.postgres === undefined ? undefined : postgresUrl({ ...login, host, port: ports.postgres }),
    redis: ports.redis === undefined ? undefined : `redis://${host}:${ports.redis}`,
    orchestrator: ports.orchestrator === undefined ? undefined : `http://${host}:${ports.orchestrator}`,
  };
}

export { POSTGRES_PORT, REDIS_PORT };
