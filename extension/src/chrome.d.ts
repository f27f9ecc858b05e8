/**
 * The few parts of the extension APIs this extension uses, declared by hand
 * (developer.chrome.com/docs/extensions/reference/api): cookies, storage,
 * permissions, alarms and runtime messaging.
 */
declare namespace chrome {
  namespace cookies {
    type SameSiteStatus = 'no_restriction' | 'lax' | 'strict' | 'unspecified';
    interface Cookie {
      name: string;
      value: string;
      domain: string;
      hostOnly: boolean;
      path: string;
      secure: boolean;
      httpOnly: boolean;
      sameSite: SameSiteStatus;
      session: boolean;
      expirationDate?: number;
      storeId: string;
    }
    type OnChangedCause = 'evicted' | 'expired' | 'explicit' | 'expired_overwrite' | 'overwrite';
    interface CookieChangeInfo {
      removed: boolean;
      cookie: Cookie;
      cause: OnChangedCause;
    }
    function getAll(details: { domain?: string; url?: string; name?: string }): Promise<Cookie[]>;
    const onChanged: { addListener(callback: (changeInfo: CookieChangeInfo) => void): void };
  }

  namespace storage {
    interface StorageArea {
      get(keys: string | string[] | null): Promise<Record<string, unknown>>;
      set(items: Record<string, unknown>): Promise<void>;
      remove(keys: string | string[]): Promise<void>;
    }
    const local: StorageArea;
    const onChanged: { addListener(callback: (changes: Record<string, { oldValue?: unknown; newValue?: unknown }>, areaName: string) => void): void };
  }

  namespace permissions {
    interface Permissions {
      origins?: string[];
      permissions?: string[];
    }
    function contains(permissions: Permissions): Promise<boolean>;
    function request(permissions: Permissions): Promise<boolean>;
    function getAll(): Promise<Permissions>;
  }

  namespace alarms {
    interface Alarm {
      name: string;
    }
    function create(name: string, info: { periodInMinutes?: number; delayInMinutes?: number }): Promise<void>;
    function clear(name: string): Promise<boolean>;
    const onAlarm: { addListener(callback: (alarm: Alarm) => void): void };
  }

  namespace runtime {
    const id: string;
    function sendMessage(message: unknown): Promise<unknown>;
    function openOptionsPage(): Promise<void>;
    const onMessage: {
      addListener(callback: (message: unknown, sender: unknown, sendResponse: (response: unknown) => void) => boolean | undefined): void;
    };
    const onStartup: { addListener(callback: () => void): void };
    const onInstalled: { addListener(callback: () => void): void };
  }
}
