import { Component, CUSTOM_ELEMENTS_SCHEMA, signal } from '@angular/core';
import 'lit-message-center/define';
import type { ChatMessageEvent } from 'lit-message-center';

@Component({
  selector: 'chat-demo',
  // Lets Angular's compiler accept the custom elements and bind their properties and events.
  schemas: [CUSTOM_ELEMENTS_SCHEMA],
  template: `
    <message-center-provider>
      <p>
        Last message: {{ last() }}
        <button (click)="shown.set(!shown())">{{ shown() ? 'Unmount' : 'Mount' }} the panels</button>
      </p>
      @if (shown()) {
        <div style="display: grid; grid-template-columns: 1fr 1fr; gap: 1rem">
          <!-- A plain attribute takes the element's attribute name (user-name); a [property] binding the property's (userName). -->
          <ws-chat-panel [url]="url" user-name="Ada" [strings]="{ title: 'Ada (Angular)' }" (ws-chat-message)="onMessage($event)"></ws-chat-panel>
          <ws-chat-panel [url]="url" [userName]="'Bob'" [maxMessages]="200"></ws-chat-panel>
        </div>
      }
    </message-center-provider>
  `,
})
export class ChatDemoComponent {
  readonly url = `ws://${location.host}/chat`;
  readonly last = signal('nothing yet');
  readonly shown = signal(true);

  onMessage(event: Event) {
    const { detail } = event as ChatMessageEvent;
    this.last.set(`${detail.from.name}: ${detail.text}`);
  }
}
