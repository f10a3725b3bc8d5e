// Types of the cdktf jest matchers installed by test/setup.ts (toHaveResourceWithProperties & co).
import 'cdktf/lib/testing/adapters/jest';
