/** Sends a text message to a phone. Real providers (Aliyun, Tencent Cloud) plug in beside `log` by name. */
export interface SmsProvider {
  readonly name: string;
  send(phone: string, text: string): Promise<void>;
}

export const SMS_PROVIDER = Symbol('SMS_PROVIDER');
