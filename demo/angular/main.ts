// JIT keeps this demo to a Vite dev server; an Angular CLI app (AOT) uses the
// same component as it is.
import '@angular/compiler';
import { bootstrapApplication } from '@angular/platform-browser';
import { ChatDemoComponent } from './chat-demo.component.js';

bootstrapApplication(ChatDemoComponent).catch((error: unknown) => console.error(error));
