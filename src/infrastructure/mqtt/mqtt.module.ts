import {
  Global,
  Inject,
  Injectable,
  Logger,
  Module,
  OnApplicationShutdown,
  OnModuleInit,
} from '@nestjs/common';
import { connect, IClientPublishOptions, MqttClient } from 'mqtt';
import { Env, ENV } from '@/config/env';
import { newId } from '@/common/ids';

/** The service's connection to the cabinets' broker; it reconnects by itself. */
@Injectable()
export class MqttService implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger(MqttService.name);
  private client: MqttClient;

  constructor(@Inject(ENV) private readonly env: Env) {}

  onModuleInit(): void {
    this.client = connect(this.env.MQTT_URL, {
      clientId: `cs-${newId().toLowerCase()}`,
      protocolVersion: 5,
      reconnectPeriod: 1000,
      connectTimeout: 5000,
      clean: true,
    });
    this.client.on('error', (e) => this.logger.warn(`MQTT: ${e.message}`));
  }

  get connected(): boolean {
    return this.client?.connected ?? false;
  }

  /** Waits until the broker has accepted the connection, or the timeout passes. */
  async waitConnected(timeoutMs = 5000): Promise<boolean> {
    if (this.connected) {
      return true;
    }
    return new Promise((resolve) => {
      const t = setTimeout(() => resolve(this.connected), timeoutMs);
      this.client.once('connect', () => {
        clearTimeout(t);
        resolve(true);
      });
    });
  }

  /**
   * Subscribes (QoS 1 unless told) and hands every message on a matching topic to `handler`; the client
   * subscribes again by itself after a reconnect. Resolves once the broker granted the subscription.
   */
  async subscribe(
    filter: string,
    handler: (topic: string, payload: Buffer) => void,
    qos: 0 | 1 = 1,
  ): Promise<void> {
    this.client.on('message', (topic, payload) => handler(topic, payload));
    const granted = await this.client.subscribeAsync(filter, { qos });
    if (granted.some((g) => g.qos > 2)) {
      throw new Error(`the broker refused the subscription ${filter}`);
    }
  }

  async publish(topic: string, payload: object, opts: IClientPublishOptions = { qos: 1 }): Promise<void> {
    await this.client.publishAsync(topic, JSON.stringify(payload), opts);
  }

  get raw(): MqttClient {
    return this.client;
  }

  async onApplicationShutdown(): Promise<void> {
    await this.client?.endAsync().catch(() => undefined);
  }
}

@Global()
@Module({ providers: [MqttService], exports: [MqttService] })
export class MqttModule {}
